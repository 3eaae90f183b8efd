"""HTML report and confusion-matrix picture of one eval run."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any


def confusion_png(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = report["confusion"]["labels"]
    matrix = report["confusion"]["matrix"]
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("labelled")
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center",
                        color="white" if v > max(map(max, matrix)) / 2 else "black")
    ax.set_title(f"{report['set']}: category confusion (n={report['n']})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(report: dict[str, Any], base: Path) -> None:
    png = base.with_suffix(".png")
    confusion_png(report, png)
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{v['precision']:.2f}</td><td>{v['recall']:.2f}</td>"
        f"<td>{v['f1']:.2f}</td><td>{int(v['support'])}</td></tr>"
        for c, v in report["per_category"].items())
    mistakes = "".join(
        f"<tr><td>{html.escape(m['file'])}</td><td>{m['gold']}</td><td>{m['pred']}</td>"
        f"<td>{m['gold_action']}</td><td>{m['pred_action']}</td><td>{m['gold_assignee']}</td>"
        f"<td>{m['pred_assignee']}</td><td>{m['confidence']:.2f}</td></tr>"
        for m in report["mistakes"])
    summary = "".join(
        f"<li>{html.escape(k)}: {html.escape(str(report[k]))}</li>"
        for k in ("n", "category_accuracy", "category_macro_f1", "priority_accuracy",
                  "action_accuracy", "assignee_accuracy", "reply_recipients_correct",
                  "forbidden_planned_actions", "auto_recall", "latency_p50_ms",
                  "latency_p95_ms", "emails_per_second", "llm_calls_per_email"))
    base.with_suffix(".html").write_text(f"""<!doctype html><meta charset="utf-8">
<title>Assistenz eval: {html.escape(report['set'])}</title>
<style>body{{font:14px system-ui;margin:2rem}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd}}</style>
<h1>Eval {html.escape(report['set'])}</h1><ul>{summary}</ul>
<img src="{png.name}" alt="confusion matrix">
<h2>Per category</h2><table>
<tr><th>category</th><th>P</th><th>R</th><th>F1</th><th>n</th></tr>{rows}</table>
<h2>Mistakes</h2><table><tr><th>file</th><th>gold</th><th>pred</th><th>gold action</th>
<th>pred action</th><th>gold assignee</th><th>pred assignee</th><th>conf</th></tr>{mistakes}</table>
""", encoding="utf-8")
