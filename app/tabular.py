"""Reading spreadsheets the users bring: CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX, as header+rows."""
import csv
import io
from pathlib import Path


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why, in Chinese."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first sheet, every cell as stripped text."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(_decode(data))))
    elif suffix == ".xlsx":
        rows = _read_xlsx(data)
    else:
        raise FileProblem(f"不支持的文件类型“{suffix or filename}”：请上传 .xlsx 或 .csv 文件")
    rows = [[_cell(c) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise FileProblem("文件是空的：没有表头，也没有数据行")
    return rows[0], rows[1:]


def _read_xlsx(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for corrupt/encrypted files
        raise FileProblem("无法读取该 Excel 文件：文件已损坏、已加密或不是 .xlsx 格式") from exc
