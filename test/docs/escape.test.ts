import { markdownCode, markdownText, rstLiteral, rstText } from '../../lib/docs';

describe('markdown cells', () => {
  test.each<[string, string]>([
    ['GOLD Ubuntu 24.04 LTS', '`GOLD Ubuntu 24.04 LTS`'],
    // a pipe would end the cell: escaped, also inside the code span (GFM removes the backslash first)
    ['GOLD a | b', '`GOLD a \\| b`'],
    // backticks: a longer fence, padded when the text starts or ends with one
    ['x `y` z', '``x `y` z``'],
    ['`ls`', '`` `ls` ``'],
    ['a ``` b', '````a ``` b````'],
    // markup, html, links and a leading # are only characters inside a code span
    ['# *bold* _x_ <b>hi</b> [l](http://evil.example) @team', '`# *bold* _x_ <b>hi</b> [l](http://evil.example) @team`'],
    // a line break, a tab or a bidirectional override would break the row or hide text
    ['a\nb\tc\u202ed', '`a\\u{000A}b\\u{0009}c\\u{202E}d`'],
    [' both ', '`  both  `'],
    ['', '(empty)'],
  ])('%j', (text, cell) => {
    expect(markdownCode(text)).toBe(cell);
  });

  test('a backslash before a pipe cannot stay in a code span (cmark-gfm would split the cell): escaped text instead', () => {
    expect(markdownCode('a\\|b')).toBe('a\\\\\\|b');
  });

  test('plain text escapes every ASCII punctuation character but a dash inside a word or date', () => {
    expect(markdownText('2029-05-31')).toBe('2029-05-31');
    expect(markdownText('# x | *y* [z](u) - `c` \\')).toBe('\\# x \\| \\*y\\* \\[z\\]\\(u\\) \\- \\`c\\` \\\\');
  });
});

describe('reStructuredText cells', () => {
  test.each<[string, string]>([
    ['GOLD Ubuntu 24.04 LTS', ':literal:`GOLD Ubuntu 24.04 LTS`'],
    // inside interpreted text only a backtick could end it (escaped) and a backslash escapes (escaped)
    ['a`b ``c`` \\', ':literal:`a\\`b \\`\\`c\\`\\` \\\\`'],
    // roles, substitutions, references, footnotes and directives are only characters inside it
    [':math:`x` |sub| ref_ [#]_ .. image:: x http://evil.example', ':literal:`:math:\\`x\\` |sub| ref_ [#]_ .. image:: x http://evil.example`'],
    // leading or trailing whitespace would stop docutils from seeing the role
    [' lead', ':literal:`\\\\u{0020}lead`'],
    ['trail\u00a0', ':literal:`trail\\\\u{00A0}`'],
    ['a\nb', ':literal:`a\\\\u{000A}b`'],
    ['', '(empty)'],
  ])('%j', (text, cell) => {
    expect(rstLiteral(text)).toBe(cell);
  });

  test('plain text escapes punctuation except . , - inside a word or number', () => {
    expect(rstText('2029-05-31')).toBe('2029-05-31');
    expect(rstText('Ubuntu 24.04, LTS a,b')).toBe('Ubuntu 24.04\\, LTS a,b');
    expect(rstText('- *x* |y| z_ `r` 1. .. :role:')).toBe('\\- \\*x\\* \\|y\\| z\\_ \\`r\\` 1\\. \\.\\. \\:role\\:');
  });
});
