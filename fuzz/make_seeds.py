#!/usr/bin/env python3
"""Writes the small seed corpus in fuzz/corpus/<target>/ (committed; the
stable test crates/engine/tests/import_fuzz_corpus.rs runs every seed).
Every file is made up here; none is a copy of a real export."""
import io, json, os, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- delimited text
put("csv_sniffer", "plain.csv",
    "time,event,user_id,value\n2024-09-01T10:00:01Z,page_view,u1,\n2024-09-01T10:00:05Z,purchase,u1,19.99\n")
put("csv_sniffer", "semicolon_decimal_comma.csv",
    "Datum;Sitzungen;Umsatz;Rate\n01.09.2024;1.234;12,50 €;12,5%\n02.09.2024;987;7,25 €;3,1%\n")
put("csv_sniffer", "tab.tsv", "page\tviews\tavg_time\n/\t10\t00:01:23\n/cart\t3\t00:00:40\n")
put("csv_sniffer", "ga4_preamble.csv",
    "# ----------------------------------------\n# Pages and screens\n# 20240901-20240907\n# ----------------------------------------\n\n"
    "Page path,Views,Users\n/,100,80\n/shop,50,40\n,150,120\n\n# Second table\nDate,Users\n20240901,10\n20240902,12\n")
put("csv_sniffer", "quotes_crlf.csv",
    "\"name\",\"note\"\r\n\"a, b\",\"say \"\"hi\"\"\"\r\n\"c\",\"line\r\nbreak\"\r\n")
put("csv_sniffer", "utf16le_bom.csv",
    b"\xff\xfe" + "a,b\n1,\u00e9\n2,\u20ac\n".encode("utf-16-le"))
put("csv_sniffer", "latin1.csv", "city,visits\nK\u00f6ln,3\nM\u00e1laga,4\n".encode("latin-1"))
put("csv_sniffer", "epochs_pipes.csv", "ts|n|ok\n1725184800000000|1|true\n1725184801000000|2|false\n")
put("csv_sniffer", "dmy_mdy.csv", "d,m\n13/01/2024,01/13/2024\n02/03/2024,03/02/2024\n")
put("csv_sniffer", "ragged.csv", "a,b\n1,2,3\n4\n")
put("csv_sniffer", "open_quote.csv", "a,b\n1,\"never closed\n2,3\n")

# --- JSON
put("json_flattener", "array.json", json.dumps([
    {"event": "view", "time": "2024-09-01T10:00:00Z", "user": {"id": "u1", "plan": "pro"}},
    {"event": "buy", "time": "2024-09-01T10:05:00Z", "user": {"id": "u1"}, "value": 9.5},
]))
put("json_flattener", "ga4_params.ndjson", "\n".join(json.dumps(r) for r in [
    {"event_name": "page_view", "event_timestamp": 1725184800000000, "user_pseudo_id": "1.2",
     "event_params": [{"key": "page_location", "value": {"string_value": "https://x/"}},
                      {"key": "ga_session_id", "value": {"int_value": 17}}]},
    {"event_name": "purchase", "event_timestamp": 1725184860000000, "user_pseudo_id": "1.2",
     "event_params": [{"key": "value", "value": {"double_value": 12.5}}]},
]) + "\n")
put("json_flattener", "mixpanel.ndjson", "\n".join(json.dumps(r) for r in [
    {"event": "Signed up", "properties": {"time": 1725184800, "distinct_id": "a", "$browser": "Chrome"}},
    {"event": "Paid", "properties": {"time": 1725184900, "distinct_id": "a", "amount": 5}},
]) + "\n")
put("json_flattener", "several_lists.json", json.dumps(
    {"meta": {"n": 2}, "rows": [{"a": 1}, {"a": 2}], "other": [{"b": [1, 2, {"c": None}]}]}))
put("json_flattener", "scalar.json", "42")
put("json_flattener", "broken.json", '[{"a": 1}, {"a": ')


# --- workbooks: the smallest valid xlsx, written by hand
def xlsx(rows, title_rows=0):
    def col(i):
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s
    cells = []
    for r, row in enumerate(rows, start=1):
        cs = []
        for c, v in enumerate(row):
            ref = f"{col(c)}{r}"
            if isinstance(v, (int, float)):
                cs.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cs.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        cells.append(f'<row r="{r}">{"".join(cs)}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{"".join(cells)}</sheetData></worksheet>')
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


put("xlsx", "orders.xlsx", xlsx([["Order", "Date", "Total"], ["#1001", 45536, 19.5], ["#1002", 45537, 7]]))
put("xlsx", "title_rows.xlsx", xlsx([["Monthly report"], [], ["Channel", "Sessions"], ["Organic", 120], ["Paid", 80]]))
put("xlsx", "header_only.xlsx", xlsx([["a", "b"]]))
put("xlsx", "not_a_zip.xlsx", b"PK\x03\x04 this is not really a zip archive")


def ods(rows):
    """A minimal OpenDocument spreadsheet: mimetype, manifest, content."""
    def cell(v):
        if isinstance(v, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               + body + '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


put("xlsx", "orders.ods", ods([["Order", "Date", "Total"], ["#1001", "2024-09-01", 19.5], ["#1002", "2024-09-02", 7]]))
# the end-to-end target (import_store) starts from a few seeds of each format
for target, name in [("csv_sniffer", "plain.csv"), ("csv_sniffer", "ga4_preamble.csv"),
                     ("csv_sniffer", "quotes_crlf.csv"), ("csv_sniffer", "semicolon_decimal_comma.csv"),
                     ("xlsx", "orders.xlsx"), ("xlsx", "title_rows.xlsx"), ("xlsx", "orders.ods"),
                     ("json_flattener", "array.json"), ("json_flattener", "ga4_params.ndjson")]:
    with open(os.path.join(HERE, "corpus", target, name), "rb") as f:
        put("import_store", name, f.read())
