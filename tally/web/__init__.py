"""The ledger on the web: a read-only JSON API and server-rendered pages (FastAPI), every asset served locally.

app.py builds the application; views/ has one module per page type, each serving the HTML page and its
``.json`` twin from one function; responses.py holds the JSON envelope, errors and the page renderer.
"""
