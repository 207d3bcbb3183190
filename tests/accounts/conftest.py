from tests.review.people import *  # noqa: F403
