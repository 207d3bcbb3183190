"""The pages that compose several apps: data entry and review.

An officer's entry page and a reviewer's review page show her figures (assessments)
together with what they score (results: the preview, the published result, the audit's
flags). They sit above both, so that assessments never imports results: the figures
flow up into results, and only the pages read both. Their templates stay with the
assessments app (templates/assessments/), their URL names are unchanged.
"""
