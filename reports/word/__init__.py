"""Word files in and out.

writer      the document model as a GB/T 9704 .docx
styles      the paragraph styles of our files: the writer writes them, the importer reads them back
pdf         the .docx as PDF through LibreOffice, where it is installed
archive     a quarter's approved reports as one streamed .zip
importing/  a .docx or pasted text read back into a report's structure, and the draft made from it
"""
