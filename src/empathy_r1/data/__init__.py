"""Datasets: loaders, cleaning, synthetic corpus, sample, triplets."""
