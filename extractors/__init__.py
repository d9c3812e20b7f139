"""Pure extraction library: OCR words with boxes in, typed facts with evidence out.

Never imports ocr_service, web, database or image code.
"""
