"""How long text extraction takes on a 200-page text PDF (a benchmark, not a test).

Builds the PDF with fpdf2, then times the same per-page extraction the background task runs
(reviews.services.documents._pdf_pages, pypdf). No database is needed.

    .venv/bin/python scripts/bench_extraction.py [--pages 200] [--runs 3]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")

LINE = (
    "Neurology follow-up: relapsing-remitting multiple sclerosis, EDSS 2.0, two relapses in "
    "the past year; MRI shows new T2 lesions. Plan: Kesimpta 20 mg subcutaneously."
)


def build_pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="Letter")
    pdf.set_font("Helvetica", size=10)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 5, f"Page {number}\n" + "\n".join([LINE] * 12))
    return bytes(pdf.output())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from reviews.services.documents import _pdf_pages

    started = time.perf_counter()
    content = build_pdf(args.pages)
    built = time.perf_counter() - started
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            pages = _pdf_pages(handle.name)
            timings.append(time.perf_counter() - started)
    characters = sum(len(p) for p in pages)
    best, worst = min(timings), max(timings)
    print(f"PDF: {args.pages} pages, {len(content) / 1024:.0f} KiB, built in {built:.2f} s")
    print(f"extracted {len(pages)} pages, {characters:,} characters")
    print(
        f"extraction over {args.runs} runs: best {best:.2f} s, worst {worst:.2f} s "
        f"({best / len(pages) * 1000:.1f} ms per page)"
    )


if __name__ == "__main__":
    main()
