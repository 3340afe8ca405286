"""Win@1 ranking kit: blind tasks for people (CSV and a web page), scoring with CIs, and an LLM judge."""
