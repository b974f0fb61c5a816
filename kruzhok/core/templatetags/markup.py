from django import template
from django.utils.safestring import SafeString

from kruzhok.core.markup import render_user_text

register = template.Library()


@register.filter
def user_text(value: object) -> SafeString:
    """`{{ comment.text|user_text }}`: see kruzhok.core.markup."""
    return render_user_text("" if value is None else str(value))
