import functools
import os
import os.path
from html import escape as _escape
from pygments.token import Token


class HtmlFormatter(Formatter):
    def _wrap_code(self, inner):
        yield 0, '<code>'
        yield from inner
        yield 0, '</code>'

    @functools.lru_cache(maxsize=100)
    def _translate_parts(self, value):
        """HTML-escape a value and split it by newlines.

        ``quote=False`` is intentional: token values are emitted as element
        text content (inside ``<span>``/``<pre>``), where ``"`` and ``'`` do
        not need escaping.  Skipping those two replacements is measurably
        faster on the per-token hot path.
        """
        return _escape(value, quote=False).split('\n')

    def _format_lines(self, tokensource):
        """
        Just format the tokens, without any wrapping tags.
        Yield individual lines.
        """
        nocls = self.noclasses
        lsep = self.lineseparator
        tagsfile = self.tagsfile
        span_openers = self.span_element_openers
        translate = self._translate_parts

        lspan = ''
        line = []
        for ttype, value in tokensource:
            try:
                cspan = span_openers[ttype]
            except KeyError:
                title = ' title="{}"'.format('.'.join(ttype)) if self.debug_token_types else ''
                if nocls:
                    css_style = self._get_css_inline_styles(ttype)
                    if css_style:
                        css_style = self.class2style[css_style][0]
                        cspan = f'<span style="{css_style}"{title}>'
                    else:
                        cspan = ''
                else:
                    css_class = self._get_css_classes(ttype)
                    if css_class:
                        cspan = f'<span class="{css_class}"{title}>'
                    else:
                        cspan = ''
                span_openers[ttype] = cspan

            parts = translate(value)

            if tagsfile and ttype in Token.Name:
                filename, linenumber = self._lookup_ctag(value)
                if linenumber:
                    base, filename = os.path.split(filename)
                    if base:
                        base += '/'
                    filename, extension = os.path.splitext(filename)
                    url = self.tagurlformat % {'path': base, 'fname': filename,
                                               'fext': extension}
                    parts[0] = "<a href=\"%s#%s-%d\">%s" % \
                        (url, self.lineanchors, linenumber, parts[0])
                    parts[-1] = parts[-1] + "</a>"

            # for all but the last line (skipped entirely for single-line
            # tokens, which are the common case, to avoid the parts[:-1] slice)
            if len(parts) > 1:
                for part in parts[:-1]:
                    if line:
                        # Also check for part being non-empty, so we avoid
                        # creating empty <span> tags
                        if lspan == cspan and part:
                            line.extend(((lspan and '</span>'), cspan, part,
                                         (cspan and '</span>'), lsep))
                        else:  # both are the same, or the current part was empty
                            line.extend((part, (lspan and '</span>'), lsep))
                        yield 1, ''.join(line)
                        line = []
                    elif part:
                        yield 1, ''.join((cspan, part, (cspan and '</span>'), lsep))
                    else:
                        yield 1, lsep
            # for the last line
            last = parts[-1]
            if line and last:
                if lspan != cspan:
                    line.extend(((lspan and '</span>'), cspan, last))
                    lspan = cspan
                else:
                    line.append(last)
            elif last:
                line = [cspan, last]
                lspan = cspan
            # else we neither have to open a new span nor set lspan

        if line:
            line.extend(((lspan and '</span>'), lsep))
            yield 1, ''.join(line)
