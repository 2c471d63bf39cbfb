"""Data contracts: one pandera model per input file of SPEC §3, plus its key and references.

The models say *what* a valid row is; :mod:`pipelines.readers` applies them.
"""

from pipelines.contracts.files import CONTRACTS, Contract, Reference

__all__ = ["CONTRACTS", "Contract", "Reference"]
