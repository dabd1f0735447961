"""The page's layout CSS for the room it is shown in: a projector (1024 px and up), a phone, presentation mode.

Loaded after the grids' own CSS (launch.py), so these rules win. Every grid on the page (chat, race, fill-in,
branch, strategies, reversal) sizes each column to its widest token and takes fewer columns when its box is
too narrow for eight (a container query on the grid's box, in PAGE_HEAD), so no cell's text is ever cut.
"""

# Columns a grid keeps at each width of its box: about 100 px a column at 15 px type (a token of up to 8
# characters and its padding), about 140 px at presentation mode's 22 px, after the grid's own 26 px of padding.
# Positions stay in reading order, row after row.
_FIT = [(290, 2), (390, 3), (490, 4), (590, 5), (690, 6), (790, 7)]
_FIT_PRESENT = [(450, 2), (590, 3), (730, 4), (870, 5), (1010, 6), (1150, 7)]


def _fit_rules(steps, prefix: str = "") -> str:
    # Widest first: the narrowest query that matches comes last and wins.
    return "\n".join(f"@container llada-grid (max-width: {width}px) {{ {prefix}.llada-view .llada-grid, "
                     f"{prefix}.llada-order .order-grid {{ --fit: {columns}; }} }}"
                     for width, columns in reversed(steps))


PAGE_CSS = """
/* Every tab's name in the bar (Tabs(overflow_behavior="wrap") in layout.py): rows of compact tabs. */
#mode-tabs > .tab-wrapper .tab-container, #mode-tabs .tab-container { flex-wrap: wrap; row-gap: 2px; }

/* Grids: 15 px type, columns as wide as their widest token, fewer columns in a narrow box. */
.llada-view, #token-grid .llada-view { font-size: 15px; }
.llada-view .llada-grid { grid-template-columns: repeat(min(var(--cols), var(--fit, 99)), minmax(max-content, 1fr)); }
.llada-view .cell { overflow: visible; text-overflow: clip; }
/* The race's order maps keep the columns of the grid above them, so a position sits under its cell. */
.llada-order .order-grid { grid-template-columns: repeat(min(var(--cols), var(--fit, 99)), minmax(2.4em, 4.6em)); }
.llada-view .llada-legend { font-size: 13px; }
.llada-view .llada-legend .swatch { font-size: 12px; }
.llada-view .cell.revised::after, .llada-view .cell.rechecked::after { font-size: 11px; }

/* One line that says what a tab shows, and the pace of live runs: only in presentation mode. */
.llada-oneline, #present-pace { display: none; }

/* A phone: the grid right under Send, the chat and the settings after it; compact page chrome. */
@media (max-width: 700px) {
  /* The intro gives way to each tab's one line, and the projector's switch goes: the grid comes up the page. */
  #page-intro p, #present-switch, #present-pace { display: none; }
  #page-intro h1 { font-size: 20px; margin-bottom: 0; }
  .llada-oneline { display: block; font-size: 13px; line-height: 1.35; }
  #mode-tabs .tab-container button { padding: 2px 7px; font-size: 13px; }
  #chat-layout { flex-direction: column; }
  #chat-layout > #chat-left, #chat-layout > #chat-right { display: contents; }
  #chat-input { order: 1; } #chat-buttons { order: 2; } #notice { order: 3; } #token-grid { order: 4; }
  #stats { order: 5; } #chatbot { order: 6; } #chat-replay { order: 7; } #chat-replay-options { order: 8; }
  #chat-examples { order: 9; } #chat-settings { order: 10; } #chat-exports { order: 11; } #download { order: 12; }
  #chat-figures { order: 13; }
  #chatbot { height: 220px !important; max-height: 220px; }
}

"""

# Presentation mode (the switch at the top, or ?present=1): a class on <body>, which the css= rules cannot name
# (Gradio puts them under .gradio-container), so these go in the page's <head>, each !important to beat those.
PRESENT_CSS = """
body.llada-present .llada-oneline { display: block !important; font-size: 22px !important; margin: 4px 0 8px; }
body.llada-present #present-pace { display: block !important; }
/* Presenting, the switch's column widens so its label and the pace take one line each: the grid stays high up. */
body.llada-present #present-col { min-width: 340px !important; }
body.llada-present .llada-intro, body.llada-present #page-intro p { display: none !important; }
body.llada-present .gradio-container { --text-sm: 16px !important; --text-md: 18px !important;
  --text-lg: 20px !important; --text-xl: 24px !important; --text-xxl: 28px !important; font-size: 18px !important; }
body.llada-present .llada-view, body.llada-present #token-grid .llada-view { font-size: 22px !important; }
body.llada-present .llada-view .llada-legend { font-size: 17px !important; }
body.llada-present .llada-view .llada-legend .swatch { font-size: 15px !important; }
body.llada-present .llada-view .cell.revised::after,
body.llada-present .llada-view .cell.rechecked::after { font-size: 15px !important; }
body.llada-present .llada-order { font-size: 17px !important; }
/* The chat: the grid first, then the message, Send and the pace; the figures after the run; settings last. */
body.llada-present #chat-layout { flex-direction: column !important; }
body.llada-present #chat-layout > #chat-left,
body.llada-present #chat-layout > #chat-right { display: contents !important; }
""" + "\n".join(f"body.llada-present #{name} {{ order: {index} !important; }}" for index, name in enumerate(
    ("token-grid", "chat-input", "chat-buttons", "notice", "chat-replay-options", "chat-replay", "stats",
     "chat-figures", "chatbot", "chat-examples", "chat-settings", "chat-exports", "download"), start=1))

# Gradio's processing of the css= text drops @container rules, so these go in the page's <head> as they are.
CONTAINER_CSS = ("div:has(> .llada-view), div:has(> .llada-order) { container: llada-grid / inline-size; }\n"
                 + _fit_rules(_FIT) + "\n" + _fit_rules(_FIT_PRESENT, "body.llada-present "))
# A phone's page margins: Gradio's 32 px a side leave a 390 px phone 326 px; 8 px leave the grid room for a
# third column. (Its .main is outside what the css= rules reach.)
PHONE_MARGINS = ("@media (max-width: 700px) { .gradio-container .main { padding-left: 8px !important; "
                 "padding-right: 8px !important; } }")
PAGE_HEAD = f"<style>{CONTAINER_CSS}\n{PRESENT_CSS}\n{PHONE_MARGINS}</style>"
