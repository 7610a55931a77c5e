#!/usr/bin/python3
"""Reads an XLSX export with openpyxl (Debian python3-openpyxl) and compares
every cell with the CSV export of the same query: same header, same rows,
numbers equal as numbers, empty cells empty. Prints "same N rows" or the first
difference, and exits non-zero on a difference."""
import csv
import sys

import openpyxl


def main(xlsx_path, csv_path):
    sheet = openpyxl.load_workbook(xlsx_path, read_only=True).worksheets[0]
    xrows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        crows = list(csv.reader(f))
    if len(xrows) != len(crows):
        print(f"rows: xlsx {len(xrows)}, csv {len(crows)}")
        return 1
    for n, (x, c) in enumerate(zip(xrows, crows), start=1):
        x = x + [""] * (len(c) - len(x))
        for col, (xv, cv) in enumerate(zip(x, c)):
            same = float(cv) == float(xv) if isinstance(xv, (int, float)) and cv != "" else str(xv) == cv
            if not same:
                print(f"row {n} column {crows[0][col]}: xlsx {xv!r}, csv {cv!r}")
                return 1
    print(f"same {len(crows) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
