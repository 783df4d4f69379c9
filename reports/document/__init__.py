"""The document: what a report prints as, whatever reads it.

model       the one rendering model (typed paragraphs and runs), composed from a report
numbering   ordinals from position: 一、 （一） 一是
tokens      measure tokens {{measure:ID}} in the text, and their values as printed
units       the units of a count (次, 人次 …), for the check panel and the importer alike
text        cleaning what users type (characters a Word file cannot hold)
snapshots   a frozen submission read back as a document, and two of them compared
diffing     what changed between two texts, paragraph by paragraph, then character by character
"""
