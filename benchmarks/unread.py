"""What the engine says of pictures without text and of lines in scripts it cannot read.

Why: "No text found" is only true when there is none. A line in a script the recogniser does
not know (Hebrew, Arabic, Cyrillic, Georgian, Armenian, Hangul) must be reported as text that
could not be read (``Result.unread_lines``), while an icon or a texture must not be. This
draws both kinds, seeded, and counts per group how many images were

- read as text (some line presented: for an unknown script that text is wrong),
- said to have text that could not be read (nothing presented, ``unread_lines`` > 0),
- said to have no text,

first with no language hint, then (lines only) with the language as the caller's hint (a
page's ``lang``): read as text / could not be read / no text.

    .venv/bin/python benchmarks/unread.py [--icons 250] [--textures 80] [--seed 7]

Icons come from /usr/share/icons (PNG, at least 48 px); lines are drawn in DejaVu Sans and
Serif (Hebrew and Arabic in Sans only: DejaVu Serif has no such glyphs, and empty boxes
would be measured instead) and in WenQuanYi for Hangul, Chinese and Japanese, at 16, 28 and
48 px. Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from helper.ocr.engine import Engine

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SIZES = (16, 28, 48)

#: Short web phrases ("welcome", "contact us", "free shipping", ...), ten a language.
UNKNOWN_SCRIPTS = {
    "Hebrew": (
        "he",
        [SANS],
        [
            "שלום עולם",
            "ברוכים הבאים לאתר שלנו",
            "מבצע גדול היום בלבד",
            "פתח בחלון חדש",
            "הרשמה לניוזלטר",
            "צור קשר",
            "משלוח חינם לכל הארץ",
            "קרא עוד",
            "החנות פתוחה עד חצות",
            "תודה שבחרתם בנו",
        ],
    ),
    "Arabic": (
        "ar",
        [SANS],
        [
            "مرحبا بالعالم",
            "أهلا وسهلا بكم في موقعنا",
            "تخفيضات كبيرة اليوم فقط",
            "اتصل بنا",
            "اقرأ المزيد",
            "شحن مجاني لجميع الطلبات",
            "سجل الدخول",
            "المتجر مفتوح حتى منتصف الليل",
            "شكرا لاختياركم",
            "الصفحة الرئيسية",
        ],
    ),
    "Russian": (
        "ru",
        [SANS, SERIF],
        [
            "Добро пожаловать на наш сайт",
            "Большая распродажа сегодня",
            "Связаться с нами",
            "Читать далее",
            "Бесплатная доставка",
            "Войти",
            "Главная страница",
            "Магазин открыт до полуночи",
            "Спасибо за покупку",
            "Новинки",
        ],
    ),
    "Georgian": (
        "ka",
        [SANS, SERIF],
        [
            "მოგესალმებით",
            "დიდი ფასდაკლება დღეს",
            "დაგვიკავშირდით",
            "წაიკითხეთ მეტი",
            "უფასო მიწოდება",
            "შესვლა",
            "მთავარი გვერდი",
            "მადლობა",
            "ახალი პროდუქტები",
            "მაღაზია ღიაა",
        ],
    ),
    "Armenian": (
        "hy",
        [SANS, SERIF],
        [
            "Բարի գալուստ",
            "Մեծ զեղչ այսօր",
            "Կապվեք մեզ հետ",
            "Կարդալ ավելին",
            "Անվճար առաքում",
            "Մուտք",
            "Գլխավոր էջ",
            "Շնորհակալություն",
            "Նոր ապրանքներ",
            "Խանութը բաց է",
        ],
    ),
    "Korean": (
        "ko",
        [CJK],
        [
            "환영합니다",
            "오늘만 대할인",
            "문의하기",
            "더 보기",
            "무료 배송",
            "로그인",
            "홈페이지",
            "감사합니다",
            "신제품",
            "새 창에서 열기",
        ],
    ),
    "Greek": (
        "el",
        [SANS, SERIF],
        [
            "Καλώς ήρθατε στον ιστότοπό μας",
            "Μεγάλη έκπτωση σήμερα",
            "Επικοινωνία",
            "Διαβάστε περισσότερα",
            "Δωρεάν αποστολή",
            "Σύνδεση",
            "Αρχική σελίδα",
            "Το κατάστημα είναι ανοιχτό",
            "Ευχαριστούμε πολύ",
            "Νέα προϊόντα",
        ],
    ),
}
KNOWN_SCRIPTS = {
    "English": (
        "en",
        [SANS, SERIF],
        [
            "Welcome to our website",
            "Big sale today only",
            "Contact us",
            "Read more",
            "Free shipping on all orders",
            "Sign in",
            "Home page",
            "The shop is open until midnight",
            "Thank you for choosing us",
            "New products",
        ],
    ),
    "Polish, Turkish": (
        "pl",
        [SANS, SERIF],
        [
            "Witamy na naszej stronie",
            "Wielka wyprzedaż dzisiaj",
            "Czytaj dalej",
            "Zaloguj się",
            "Strona główna",
            "Web sitemize hoş geldiniz",
            "Bugün büyük indirim",
            "Bize ulaşın",
            "Ücretsiz kargo",
            "Mağaza gece yarısına kadar açık",
        ],
    ),
    "Chinese, Japanese": (
        "zh",
        [CJK],
        [
            "欢迎访问我们的网站",
            "今日大减价",
            "联系我们",
            "免费送货",
            "首页",
            "ようこそ",
            "本日限りの大セール",
            "お問い合わせ",
            "送料無料",
            "ログイン",
        ],
    ),
}


def text_line(phrase: str, font_path: str, size: int) -> Image.Image:
    font = ImageFont.truetype(font_path, size)
    image = Image.new("RGB", (int(font.getlength(phrase)) + 60, size * 2 + 40), "white")
    ImageDraw.Draw(image).text((30, 20), phrase, font=font, fill="black")
    return image


def icons(count: int, rng: random.Random) -> list[Image.Image]:
    paths = sorted(p for p in Path("/usr/share/icons").rglob("*.png") if "symbolic" not in p.name)
    rng.shuffle(paths)
    found: list[Image.Image] = []
    for path in paths:
        try:
            with Image.open(path) as icon:
                if min(icon.size) < 48:
                    continue
                found.append(icon.convert("RGBA").copy())
        except OSError:
            continue
        if len(found) == count:
            break
    return found


def textures(count: int, rng: random.Random) -> list[Image.Image]:
    """Pictures with no text: gradients, discs, boxes, lines, noise, blurred noise."""
    made: list[Image.Image] = []
    for i in range(count):
        w, h = rng.randint(120, 640), rng.randint(80, 480)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        kind = i % 6
        if kind == 0:
            ramp = np.linspace(0, 255, w, dtype=np.float32)[None, :, None] * np.ones((h, 1, 3), np.float32)
            image = Image.fromarray((ramp * np.array(colour) / 255).astype(np.uint8))
        elif kind == 5:
            noise = np.random.default_rng(rng.randint(0, 2**31)).integers(0, 256, (h, w, 3), dtype=np.uint8)
            image = Image.fromarray(noise).filter(ImageFilter.GaussianBlur(rng.choice([0, 2, 6])))
        else:
            image = Image.new("RGB", (w, h), tuple(rng.randint(0, 255) for _ in range(3)))
            draw = ImageDraw.Draw(image)
            for _ in range(rng.randint(1, 8)):
                x0, y0 = rng.randint(0, w - 10), rng.randint(0, h - 10)
                x1, y1 = rng.randint(x0 + 5, w), rng.randint(y0 + 5, h)
                fill = tuple(rng.randint(0, 255) for _ in range(3))
                if kind == 1:
                    draw.ellipse((x0, y0, x1, y1), fill=fill)
                elif kind == 2:
                    draw.rectangle((x0, y0, x1, y1), outline=fill, width=rng.randint(1, 6))
                elif kind == 3:
                    draw.line((x0, y0, x1, y1), fill=fill, width=rng.randint(1, 8))
                else:
                    circle = ((x0 + x1) / 2, (y0 + y1) / 2, max(5, (x1 - x0) / 2))
                    draw.regular_polygon(circle, rng.randint(3, 8), fill=fill)
        made.append(image)
    return made


def verdict(engine: Engine, image: Image.Image, lang: str | None) -> str:
    result = engine.recognize(image, lang=lang)
    if result.blocks:
        return "read as text"
    return "could not be read" if result.unread_lines else "no text"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons", type=int, default=250)
    parser.add_argument("--textures", type=int, default=80)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    engine = Engine()
    groups: dict[str, tuple[str | None, list[Image.Image]]] = {
        "icons from /usr/share/icons (≥ 48 px)": (None, icons(args.icons, rng)),
        "drawn textures": (None, textures(args.textures, rng)),
    }
    for title, table in (("not read by the models", UNKNOWN_SCRIPTS), ("read by the models", KNOWN_SCRIPTS)):
        for name, (code, fonts, phrases) in table.items():
            lines = [text_line(p, f, s) for f in fonts for s in SIZES for p in phrases]
            groups[f"{name} lines ({title})"] = (code, lines)
    kinds = ("read as text", "could not be read", "no text")
    print("| images | n | read as text | could not be read | no text | with the language as a hint |")
    print("|---|---|---|---|---|---|")
    for name, (code, images) in groups.items():
        counts = Counter(verdict(engine, image, None) for image in images)
        hinted = "–"
        if code is not None:
            with_hint = Counter(verdict(engine, image, code) for image in images)
            hinted = f"`{code}`: " + " / ".join(str(with_hint[k]) for k in kinds)
        row = " | ".join(str(counts[k]) for k in kinds)
        print(f"| {name} | {len(images)} | {row} | {hinted} |", flush=True)


if __name__ == "__main__":
    main()
