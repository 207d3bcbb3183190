"""Template filters for chiso.lib.numbers: {% load numbers %} {{ score|points }}."""

from django import template

from chiso.lib import numbers

register = template.Library()

register.filter("points", numbers.points)
register.filter("points_words", numbers.points_words)
register.filter("figure", numbers.figure)
register.filter("index", numbers.index)
register.filter("percent", numbers.percent)
