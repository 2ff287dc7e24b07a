"""The ledger on the web: a JSON API and server-rendered pages (FastAPI), every asset served locally. Read-only,
but for analyst corrections (views/review_api.py), which need the write token (writes.py).

app.py builds the application; views/ has one module per page type, each serving the HTML page and its
``.json`` twin from one function; responses.py holds the JSON envelope, errors and the page renderer.
"""
