"""Write `tools/first_names.tsv.gz`, the compact first-name table the greeting reads, from
the installed `nomquamgender` package: `python -m evals.make_names`."""

from __future__ import annotations

from tools.names import SHIPPED, write_shipped

if __name__ == "__main__":
    print(f"{write_shipped()} names written to {SHIPPED}")
