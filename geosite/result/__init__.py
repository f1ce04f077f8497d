"""Results out: score cards and the files a run writes."""
