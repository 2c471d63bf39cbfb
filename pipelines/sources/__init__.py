"""The upstream systems' exports: one module per source system holds its files' contracts
(pandera models, keys, references), and the reading of a data folder against them.

The models say *what* a valid row is; :mod:`pipelines.sources.readers` applies them.
"""

from pipelines.sources import eabsensi, ebudgeting, ekinerja, epayment, eproject, eskp, payroll, simpeg
from pipelines.sources.contract import Contract, Reference

CONTRACTS: dict[str, Contract] = {contract.name: contract
                                  for system in (simpeg, eskp, payroll, ekinerja, eabsensi, ebudgeting, eproject,
                                                 epayment)
                                  for contract in system.FILES}
"""Every input file of SPEC §3, in reading order: a file's references point only to files before it."""

__all__ = ["CONTRACTS", "Contract", "Reference"]
