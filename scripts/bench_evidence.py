"""Time evidence suggestions for 200 pages against the Kesimpta policy.

Run: .venv/bin/python scripts/bench_evidence.py
Prints the best of several runs for two kinds of pages of about 3,000 characters each:
"typical": wrapped prose as a PDF extraction gives it, a few relevant sentences a page;
"dense": one short line a sentence, every other one relevant (a worst case).
"""

from __future__ import annotations

import random
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviews.engine.document import parse, tree_from_dict  # noqa: E402
from reviews.engine.evidence import Page, suggest_evidence  # noqa: E402

RELEVANT = [
    "Assessment: relapsing-remitting multiple sclerosis (RRMS), diagnosed 2019.",
    "Currently on Tecfidera 240 mg BID, plan to discontinue on 12/01/2026 and start Kesimpta.",
    "No new T2 lesions; no gadolinium-enhancing lesions compared with prior.",
    "EDSS 2.0, stable.",
    "Referred by Dr. Lee, neurologist.",
    "Primary progressive MS was considered and ruled out.",
    "The patient reports mild fatigue and intermittent numbness in the left hand.",
    "Denies fever, chills, chest pain or shortness of breath.",
    "Follow up in three months or sooner if new symptoms develop.",
]
NEUTRAL = [
    "Vital signs: blood pressure 122/78, pulse 72, temperature 98.6 F.",
    "She lives with her husband and works as a teacher.",
    "Lungs are clear to auscultation bilaterally without wheezes or crackles.",
    "Heart has a regular rate and rhythm with no murmurs, rubs or gallops.",
    "Labs from 10/2026 show a normal complete blood count and metabolic panel.",
    "Hepatitis B surface antigen and core antibody were negative.",
    "Immunizations reviewed; influenza vaccine given today.",
    "Insurance information verified with the front desk on arrival.",
    "Allergies: penicillin (rash).",
    "Abdomen is soft and nontender with normal bowel sounds in all four quadrants.",
    "Skin is warm and dry without rashes or lesions of concern on inspection today.",
    "The plan was discussed at length and all questions were answered to her satisfaction.",
]


def typical_pages(count: int, rng: random.Random) -> list[Page]:
    pages = []
    for n in range(count):
        chosen: list[str] = []
        while sum(len(s) + 1 for s in chosen) < 3000:
            pool = RELEVANT if rng.random() < 0.1 else NEUTRAL
            chosen.append(rng.choice(pool).replace("2026", str(rng.randint(2000, 2030))))
        text = "\n".join(textwrap.wrap(" ".join(chosen), 90))
        pages.append(Page(n // 10 + 1, f"document-{n // 10 + 1}.pdf", n % 10 + 1, text))
    return pages


def dense_pages(count: int, rng: random.Random) -> list[Page]:
    pages = []
    for n in range(count):
        lines: list[str] = []
        while sum(len(line) + 1 for line in lines) < 3000:
            lines.append(rng.choice(RELEVANT if len(lines) % 2 else NEUTRAL))
        pages.append(Page(n // 10 + 1, f"document-{n // 10 + 1}.pdf", n % 10 + 1, "\n".join(lines)))
    return pages


def main() -> None:
    doc = parse((ROOT / "policies" / "kesimpta-2020910.yaml").read_text(encoding="utf-8"))
    root, lists = tree_from_dict(doc["version"]["criteria"]), doc["version"]["lists"]
    for kind, make in (("typical", typical_pages), ("dense", dense_pages)):
        batch = make(200, random.Random(1))  # noqa: S311 - fixed sample text, not secrets
        best = float("inf")
        for _ in range(7):
            start = time.perf_counter()
            suggest_evidence(root, batch, lists)
            best = min(best, time.perf_counter() - start)
        size = sum(len(page.text) for page in batch)
        print(f"{kind}: 200 pages ({size:,} chars), 11 criteria: {best * 1000:.1f} ms (best of 7)")


if __name__ == "__main__":
    main()
