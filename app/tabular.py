"""Reading spreadsheets the users bring: CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX (python-calamine).

Every cell comes back as stripped text, with the row's number in the file so messages can name it.
A file that cannot be read as a whole raises ``FileProblem`` with a Chinese message saying what to do:
wrong type, too large, corrupt, encrypted, old .xls, formulas instead of values, empty sheet, no header
row, merged header cells.
"""
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and old .xls are OLE2 containers
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # <f>, <f t="shared" .../>, <x:f>; not <formula1>
_CELL_REF = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
HEADER_SEARCH_ROWS = 10  # title rows above the header are allowed, within the first ten rows


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class Sheet:
    """The non-empty rows of the first sheet as ``(row number, cells)``; ``first_col`` is the
    sheet column of ``cells[0]`` (0 = A); ``merged`` are merged ranges ((r1, c1), (r2, c2)), 0-based."""

    rows: list = field(default_factory=list)
    first_col: int = 0
    merged: list = field(default_factory=list)

    def take(self, start: int) -> list:
        """Hand over the rows from ``start`` on; the sheet keeps none, so each row can be freed
        as soon as its reader is done with it."""
        rows, self.rows = self.rows[start:], []
        return rows

    def column_letter(self, index: int) -> str:
        return column_letter(self.first_col + index)

    def header_index(self, is_label) -> int:
        """Index in ``rows`` of the header: the first of the first rows with two or more cells
        ``is_label`` accepts. Title rows above it are skipped; merged header cells are refused."""
        for index, (row_no, cells) in enumerate(self.rows[:HEADER_SEARCH_ROWS]):
            if sum(1 for cell in cells if cell and is_label(cell)) >= 2:
                self._refuse_merged_header(row_no)
                return index
        raise FileProblem("找不到表头：前几行中没有一行是列名（如“姓名”“公民身份号码”“户编号”）。"
                          "请在数据上方保留一行列名，最好使用导入模板。")

    def _refuse_merged_header(self, row_no: int) -> None:
        for (r1, c1), (r2, c2) in self.merged:
            if r1 + 1 <= row_no <= r2 + 1:
                span = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
                raise FileProblem(f"表头有合并单元格（{span}）：请取消合并，让每一列有自己的列名。")

    def fill_merged(self, below_row: int) -> None:
        """A merged data cell (e.g. one 户编号 over a household's rows) counts for every row it spans."""
        by_no = {row_no: cells for row_no, cells in self.rows}
        for (r1, c1), (r2, c2) in self.merged:
            source = by_no.get(r1 + 1)
            if r1 + 1 <= below_row or source is None:
                continue
            value = _at(source, c1 - self.first_col)
            for row_no in range(r1 + 1, r2 + 2):
                cells = by_no.get(row_no)
                for col in range(c1 - self.first_col, c2 - self.first_col + 1):
                    if cells is not None and 0 <= col < len(cells):
                        cells[col] = value


def _at(cells: list, index: int) -> str:
    return cells[index] if 0 <= index < len(cells) else ""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(value, interned: dict) -> str:
    """Text of one cell; repeated values (code names, estates) share one string object."""
    if type(value) is str:  # most cells: checked first
        text = value.strip()
        return interned.setdefault(text, text) if text else ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    return interned.setdefault(text, text)


def read_sheet(data: bytes, filename: str, max_bytes: int | None = None) -> Sheet:
    """The first sheet of an .xlsx or a .csv file, refusing what cannot be imported as a whole."""
    if max_bytes is not None and len(data) > max_bytes:
        raise FileProblem(f"文件太大：{len(data) / 2**20:.1f} MB，上限为 {max_bytes / 2**20:.0f} MB。"
                          "请分成几个文件导入。")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FileProblem(f"不支持的文件类型“{suffix or filename}”：请上传 .xlsx 或 .csv 文件"
                          "（旧版 .xls 请在 Excel 中另存为 .xlsx）")
    if data.startswith(OLE_MAGIC):
        raise FileProblem("该 Excel 文件设置了打开密码（已加密）：请在 Excel 中取消密码后另存为 .xlsx 再上传。"
                          if _ENCRYPTED in data else
                          "这是旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 后再上传。")
    sheet = _read_xlsx(data) if data.startswith(ZIP_MAGIC) else (
        _read_csv(data) if suffix == ".csv" else None)
    if sheet is None:
        raise FileProblem("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式。")
    if not sheet.rows:
        raise FileProblem("文件是空的：第一个工作表没有表头，也没有数据行。")
    return sheet


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Header (the first non-empty row) and the following non-empty rows."""
    rows = [cells for _, cells in read_sheet(data, filename).rows]
    return rows[0], rows[1:]


def uploaded_table(upload) -> tuple[list[str], list[list[str]]]:
    """``read_table`` of a file posted in a form (a werkzeug FileStorage, or None)."""
    if upload is None or not upload.filename:
        raise FileProblem("请选择要导入的文件（.xlsx 或 .csv）")
    return read_table(upload.read(), upload.filename)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV")


def _read_csv(data: bytes) -> Sheet:
    interned: dict = {}
    rows = []
    for row_no, record in enumerate(csv.reader(io.StringIO(_decode(data))), start=1):
        cells = [_cell(c, interned) for c in record]
        if any(cells):
            rows.append((row_no, cells))
    return Sheet(rows)


def _read_xlsx(data: bytes) -> Sheet:
    from python_calamine import CalamineWorkbook

    _refuse_formulas(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        interned: dict = {}
        rows = []
        # iter_rows yields every row from the sheet's first row, columns from its first column.
        for index, values in enumerate(sheet.iter_rows()):
            cells = [_cell(v, interned) for v in values]
            if any(cells):
                rows.append((index + 1, cells))
        result = Sheet(rows, (sheet.start or (0, 0))[1], sheet.merged_cell_ranges or [])
        book.close()
        return result
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise FileProblem("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式。") from exc


def _refuse_formulas(data: bytes) -> None:
    """Values computed by formulas are not imported: a file written by a program often holds no
    computed value at all, and an edited one may hold a stale one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _first_sheet_part(archive)
            cell = _first_formula(archive, part) if part else None
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FileProblem("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式。") from exc
    if cell is not None:
        where = f"如 {cell} 单元格" if cell else "第一个工作表"
        raise FileProblem(f"文件中含有公式（{where}）：导入只接受数值。请在 Excel 中全选、复制，"
                          "再“选择性粘贴 → 数值”，保存后重新上传。")


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (the one calamine reads)."""
    workbook = archive.read("xl/workbook.xml")
    first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
    if not first:
        return None
    rels = archive.read("xl/_rels/workbook.xml.rels")
    for rel in re.finditer(rb"<Relationship\b[^>]*>", rels):
        if re.search(rb'\bId="' + re.escape(first.group(1)) + rb'"', rel.group(0)):
            target = re.search(rb'\bTarget="([^"]+)"', rel.group(0)).group(1).decode()
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _first_formula(archive: zipfile.ZipFile, part: str, chunk: int = 1 << 20) -> str | None:
    """Reference of the first formula cell ('' when it has none), or None: streamed, so a large
    sheet is never held uncompressed in memory."""
    tail = b""
    with archive.open(part) as stream:
        while block := stream.read(chunk):
            text = tail + block
            match = _FORMULA.search(text)
            if match:
                start = text.rfind(b"<c ", 0, match.start())
                ref = _CELL_REF.search(text, start, match.start()) if start >= 0 else None
                return ref.group(1).decode() if ref else ""
            tail = text[-512:]
    return None
