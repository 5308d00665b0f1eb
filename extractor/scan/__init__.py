"""`flarekb scan`: NCBI's bulk files (PubMed baseline/updates, PMC packages) through the prefilter and the full
extraction on Dask, the kept records into corpora/, then kb/ rebuilt from corpora/.

Modules: prefilter (which records are kept; the test that rules most out cheaply), task (one file, on a
worker), state (what is finished, under corpora/_scan/; laying results over corpora/ in NCBI's order),
scanner (the Dask cluster, progress, and the whole run).
"""
