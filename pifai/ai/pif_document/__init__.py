"""The PIF document: data -> HTML (Jinja2) -> PDF (WeasyPrint), attached PDFs drawn in
(pypdf), and the PAdES signature of a signed version (pyHanko)."""
