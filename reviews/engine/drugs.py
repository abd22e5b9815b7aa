"""Names and codes of drugs, as a policy lists them and as a request types them.

A policy covers a set of drugs, each with a brand, a generic name, HCPCS Level II codes and
NDCs. A request may name any of them, in any case and with stray punctuation ("BRANDNAME®",
"genericumab.", "j3490", an NDC with or without dashes); `drug_keys` and `name_key` reduce both
sides to the same comparable form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# HCPCS Level II: one letter A-V and four digits (CMS, "HCPCS Level II coding procedures").
HCPCS_PATTERN = re.compile(r"^[A-V][0-9]{4}$")
HCPCS_MESSAGE = "a HCPCS Level II code is a letter A-V and four digits, e.g. J3490"
# An NDC has 10 digits (4-4-2, 5-3-2 or 5-4-1) or 11 in the billing form (5-4-2).
NDC_MESSAGE = "an NDC has 10 or 11 digits, with or without dashes, e.g. 0078-1007-68"


def hcpcs_normal(code: str) -> str | None:
    """The code in capitals, or None when it is not HCPCS Level II."""
    code = code.strip().upper()
    return code if HCPCS_PATTERN.match(code) else None


def ndc_normal(ndc: str) -> str | None:
    """The NDC's digits (10 or 11), dashes, spaces and other punctuation dropped; None when
    it has letters or another number of digits."""
    text = ndc.strip()
    if not text or re.search(r"[A-Za-z]", text) or not re.fullmatch(r"[0-9\s\-.*]+", text):
        return None
    digits = re.sub(r"[^0-9]", "", text)
    return digits if len(digits) in (10, 11) else None


def name_key(text: str) -> str:
    """A name reduced for comparison: lower case, letters and digits only, single spaces
    ("BRANDNAME®" and "Brandname." both give "brandname")."""
    words = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    return " ".join(words.split())


def drug_keys(drug: Mapping[str, Any]) -> set[str]:
    """Every key a request may match one drug of a policy by: brand, generic, codes, NDCs."""
    keys = {name_key(drug.get("brand") or ""), name_key(drug.get("generic") or "")}
    keys |= {name_key(code) for code in drug.get("hcpcs_codes") or ()}
    keys |= {re.sub(r"[^0-9]", "", ndc) for ndc in drug.get("ndcs") or ()}
    return {key for key in keys if key}


def name_matches(typed: str, drug: Mapping[str, Any]) -> bool:
    """A typed drug name names this drug: its brand or generic, alone or followed by more
    words ("Brandname 20 mg pen"), or one of its NDCs typed with any punctuation."""
    key = name_key(typed)
    if not key:
        return False
    names = [name_key(drug.get(part) or "") for part in ("brand", "generic")]
    if any(n and (key == n or key.startswith(f"{n} ")) for n in names):
        return True
    digits = ndc_normal(typed)
    return digits is not None and digits in {
        re.sub(r"[^0-9]", "", n) for n in drug.get("ndcs") or ()
    }


def code_matches(code: str, drug: Mapping[str, Any]) -> bool:
    normal = hcpcs_normal(code)
    return normal is not None and normal in {c.upper() for c in drug.get("hcpcs_codes") or ()}


def drug_label(drug: Mapping[str, Any]) -> str:
    """How a letter or screen names the drug: "Brand (generic)", or whichever is given."""
    brand, generic = drug.get("brand") or "", drug.get("generic") or ""
    if brand and generic and name_key(brand) != name_key(generic):
        return f"{brand} ({generic})"
    return brand or generic


def all_names(drugs: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Every brand and generic of a policy's drugs, in order, without repeats."""
    names: list[str] = []
    for drug in drugs:
        for name in (drug.get("brand"), drug.get("generic")):
            if name and name not in names:
                names.append(name)
    return tuple(names)
