"""The shared page shell: escaping everywhere, one script, anchors from the nav."""

from __future__ import annotations

from datagen_contracts.htmlpage import badge, esc, page, score_bar, tile


def test_everything_is_escaped() -> None:
    hostile = "<img src=x onerror=alert(1)>\"'&"
    html = page(hostile, hostile, [("a", hostile)], [f'<section id="a">{esc(hostile)}</section>'])
    assert "<img" not in html and html.count("<script>") == 1
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;&#x27;&amp;" in html
    assert esc('"') == "&quot;" and "&lt;" in badge("<x>") and "&lt;" in tile("<1>", "<2>")


def test_nav_links_and_score_bars() -> None:
    html = page("t", "s", [("one", "One"), ("two", "Two")], ['<section id="one"></section>', '<section id="two"></section>'])
    assert '<a href="#one">One</a><a href="#two">Two</a>' in html
    assert 'aria-label="score n/a"' in score_bar(None) and 'width="80.0"' in score_bar(50.0, width=160)
    assert 'width="160.0"' in score_bar(250.0, width=160)  # clamped to the bar
