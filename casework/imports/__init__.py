"""Data in: the CAF/MSA « flux bénéficiaires » (docs/architecture.md § Imports).

``reader`` streams a flow file into small per-person records (everything else of the file is
never kept), ``services`` matches them to the people of a department and applies the RSA details
the design lists, all or nothing per file. The product never reads the national schema at run
time: the structure it relies on is written out in ``reader``.
"""
