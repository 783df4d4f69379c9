"""Word files in and out.

writer      the document model as a GB/T 9704 .docx
pdf         the .docx as PDF through LibreOffice, where it is installed
archive     a quarter's approved reports as one streamed .zip
importing/  a .docx or pasted text read back into a report's structure, and the draft made from it
"""
