"""佐证材料: the files that prove a report's claims.

kinds     what a file is, judged from its content (never its name), and what is refused
images    images re-encoded without their metadata (no GPS position leaves a meeting's photo)
store     content-addressed storage through Django's storage API: the same bytes are stored once
"""
