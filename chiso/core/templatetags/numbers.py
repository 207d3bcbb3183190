"""Template filters for chiso.core.numbers: {% load numbers %} {{ score|points }}."""

from django import template

from chiso.core import numbers

register = template.Library()

register.filter("points", numbers.points)
register.filter("figure", numbers.figure)
register.filter("index", numbers.index)
register.filter("percent", numbers.percent)
