"""What every letter carries besides the decision: the notice that language help and
auxiliary aids are free (with taglines), and the notice of nondiscrimination.

Why each is there, with its sources: docs/letters.md. The plan's own words (name, phones,
address) come from settings; the federal complaint route below is the same for every plan.
The taglines are ours, one sentence each saying that free language help is available and
the number to call; a plan chooses which languages print (settings.LETTER_TAGLINE_LANGUAGES:
the 15 most spoken by people with limited English in its State or States).
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Tagline:
    code: str  # BCP 47, for the lang attribute (screen readers, hyphenation, shaping)
    language: str  # the language's name in itself
    text: str  # with {phone} and {tty}
    rtl: bool = False


TAGLINES = {
    t.code: t
    for t in (
        Tagline(
            "es",
            "Español",
            "ATENCIÓN: si habla español, tiene a su disposición servicios gratuitos de "
            "asistencia lingüística. Llame al {phone} (TTY: {tty}).",
        ),
        Tagline(
            "zh",
            "繁體中文",
            "注意：如果您使用繁體中文，您可以免費獲得語言援助服務。請致電 {phone}（TTY：{tty}）。",
        ),
        Tagline(
            "tl",
            "Tagalog",
            "PAUNAWA: Kung nagsasalita ka ng Tagalog, maaari kang gumamit ng mga serbisyo ng "
            "tulong sa wika nang walang bayad. Tumawag sa {phone} (TTY: {tty}).",
        ),
        Tagline(
            "fr",
            "Français",
            "ATTENTION : si vous parlez français, des services d'aide linguistique vous sont "
            "proposés gratuitement. Appelez le {phone} (TTY : {tty}).",
        ),
        Tagline(
            "vi",
            "Tiếng Việt",
            "CHÚ Ý: Nếu bạn nói Tiếng Việt, có các dịch vụ hỗ trợ ngôn ngữ miễn phí dành cho "
            "bạn. Gọi số {phone} (TTY: {tty}).",
        ),
        Tagline(
            "de",
            "Deutsch",
            "ACHTUNG: Wenn Sie Deutsch sprechen, stehen Ihnen kostenlos sprachliche "
            "Hilfsdienstleistungen zur Verfügung. Rufen Sie {phone} an (TTY: {tty}).",
        ),
        Tagline(
            "ko",
            "한국어",
            "주의: 한국어를 사용하시는 경우, 언어 지원 서비스를 무료로 이용하실 수 있습니다. "
            "{phone} (TTY: {tty}) 번으로 전화해 주십시오.",
        ),
        Tagline(
            "ru",
            "Русский",
            "ВНИМАНИЕ: если вы говорите на русском языке, вам доступны бесплатные услуги "
            "перевода. Звоните {phone} (телетайп: {tty}).",
        ),
        Tagline(
            "ar",
            "العربية",
            "ملحوظة: إذا كنت تتحدث العربية، فإن خدمات المساعدة اللغوية متاحة لك بالمجان. "
            "اتصل برقم {phone} (رقم هاتف الصم والبكم: {tty}).",
            rtl=True,
        ),
        Tagline(
            "it",
            "Italiano",
            "ATTENZIONE: se parla italiano, sono disponibili servizi di assistenza linguistica "
            "gratuiti. Chiami il numero {phone} (TTY: {tty}).",
        ),
        Tagline(
            "pt",
            "Português",
            "ATENÇÃO: se fala português, tem à sua disposição serviços gratuitos de "
            "assistência linguística. Ligue para {phone} (TTY: {tty}).",
        ),
        Tagline(
            "ht",
            "Kreyòl Ayisyen",
            "ATANSYON: Si w pale Kreyòl Ayisyen, gen sèvis èd pou lang ki disponib gratis "
            "pou ou. Rele {phone} (TTY: {tty}).",
        ),
        Tagline(
            "pl",
            "Polski",
            "UWAGA: jeżeli mówisz po polsku, możesz skorzystać z bezpłatnej pomocy językowej. "
            "Zadzwoń pod numer {phone} (TTY: {tty}).",
        ),
        Tagline(
            "hi",
            "हिंदी",
            "ध्यान दें: यदि आप हिंदी बोलते हैं, तो आपके लिए मुफ्त में भाषा सहायता सेवाएं "
            "उपलब्ध हैं। {phone} (TTY: {tty}) पर कॉल करें।",
        ),
        Tagline(
            "ja",
            "日本語",
            "注意事項：日本語を話される場合、無料の言語支援をご利用いただけます。"
            "{phone}（TTY: {tty}）までお電話ください。",
        ),
    )
}

# Where anyone may complain to the federal government (HHS Office for Civil Rights): the
# same for every plan, so not a setting.
OCR_COMPLAINTS = {
    "portal": "https://ocrportal.hhs.gov/ocr/portal/lobby.jsf",
    "address": "U.S. Department of Health and Human Services, 200 Independence Avenue SW, "
    "Room 509F, HHH Building, Washington, DC 20201",
    "phone": "1-800-368-1019",
    "tdd": "1-800-537-7697",
}


def taglines() -> list[dict]:
    """The configured taglines, in order, with the plan's numbers filled in. An unknown
    code is a configuration error (reviews/checks.py reports it); it is skipped here so a
    letter is never held up by it."""
    phone, tty = settings.LETTER_PLAN_PHONE, settings.LETTER_PLAN_TTY
    rows = []
    for code in settings.LETTER_TAGLINE_LANGUAGES:
        tagline = TAGLINES.get(code)
        if tagline is not None:
            rows.append(
                {
                    "code": tagline.code,
                    "language": tagline.language,
                    # Numbers read left to right inside right-to-left text: isolated
                    # (LRI ... PDI), or the bidi rules would print "0100-555-800-1".
                    "text": tagline.text.format(
                        phone=f"\u2066{phone}\u2069" if tagline.rtl else phone,
                        tty=f"\u2066{tty}\u2069" if tagline.rtl else tty,
                    ),
                    "dir": "rtl" if tagline.rtl else "ltr",
                }
            )
    return rows


def plan_contact() -> dict:
    """The plan as a letter names it: who, where, and the numbers to call."""
    return {
        "name": settings.LETTER_PLAN_NAME,
        "address": settings.LETTER_PLAN_ADDRESS,
        "phone": settings.LETTER_PLAN_PHONE,
        "tty": settings.LETTER_PLAN_TTY,
        "provider_phone": settings.LETTER_PROVIDER_PHONE,
        "hours": settings.LETTER_PLAN_HOURS,
    }
