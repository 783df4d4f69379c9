"""The stock phrases a new installation starts with (kept in the admin afterwards, StockPhrase):
the formulas every report of this kind writes, which are not copying."""

DEFAULT_PHRASES = [
    "按要求，现将", "履行全面从严治党主体责任情况报告如下", "现将有关情况报告如下", "特此报告",
    "以习近平新时代中国特色社会主义思想为指导", "深入学习贯彻习近平新时代中国特色社会主义思想",
    "全面贯彻落实党的二十大精神", "深刻领悟“两个确立”的决定性意义", "增强“四个意识”、坚定“四个自信”、做到“两个维护”",
    "坚决扛起全面从严治党主体责任", "落实全面从严治党主体责任", "持之以恒正风肃纪",
]


def add_default_phrases(model) -> None:
    """Add the defaults that are missing (`model`: StockPhrase, or the migration's historical one)."""
    model.objects.bulk_create([model(text=text) for text in DEFAULT_PHRASES], ignore_conflicts=True)
