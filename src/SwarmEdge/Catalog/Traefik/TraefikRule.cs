using System.Collections.Immutable;
using System.Text;

namespace SwarmEdge.Catalog.Traefik;

/// <summary>One matcher of a Traefik rule, with one argument list: Host(`a.example.com`), Header(`X-Env`, `beta`).</summary>
internal sealed record TraefikMatcher(string Name, EquatableArray<string> Arguments, bool Negated)
{
    public override string ToString() =>
        $"{(Negated ? "!" : "")}{Name}({string.Join(", ", Arguments.Select(a => $"`{a}`"))})";
}

/// <summary>
/// A Traefik router rule (v2 and v3 syntax: matchers combined with &amp;&amp;, ||, ! and parentheses) read into its
/// disjunctive normal form: the rule matches a request when all matchers of any one term do. SwarmEdge routes are
/// conjunctions (hosts, a path prefix), so a term becomes a route and an || becomes several routes.
/// v2's several arguments to one matcher (Host(`a`, `b`)) mean any of them, and become terms of their own.
/// </summary>
internal static class TraefikRule
{
    /// <summary>Past this many terms a rule is refused: (a||b)&amp;&amp;(c||d)&amp;&amp;... doubles with every group.</summary>
    public const int MaxTerms = 32;

    public const int MaxLength = 4000;

    private static readonly HashSet<string> Matchers = new(StringComparer.Ordinal)
    {
        "Host", "HostRegexp", "HostHeader", "Path", "PathPrefix", "PathRegexp", "Method", "Header", "Headers",
        "HeaderRegexp", "HeadersRegexp", "Query", "QueryRegexp", "ClientIP",
    };

    // Matchers whose extra arguments are alternatives (v2); the others take a fixed list (Header(name, value)).
    private static readonly HashSet<string> Alternatives = new(StringComparer.Ordinal)
    {
        "Host", "HostHeader", "HostRegexp", "Path", "PathPrefix", "PathRegexp", "Method", "ClientIP",
    };

    /// <summary>The rule's terms, or an error saying where it is wrong.</summary>
    public static (ImmutableArray<ImmutableArray<TraefikMatcher>> Terms, string? Error) Parse(string rule)
    {
        if (rule.Length > MaxLength)
        {
            return ([], $"is longer than {MaxLength} characters");
        }

        try
        {
            var parser = new Parser(rule);
            var terms = parser.ParseRule();
            return (terms, null);
        }
        catch (FormatException e)
        {
            return ([], e.Message);
        }
    }

    private sealed class Parser(string text)
    {
        private const int MaxDepth = 32;
        private int position;
        private int depth;

        public ImmutableArray<ImmutableArray<TraefikMatcher>> ParseRule()
        {
            var terms = Or();
            SkipSpace();
            if (position < text.Length)
            {
                throw Fail($"unexpected '{text[position]}'");
            }

            return terms;
        }

        private ImmutableArray<ImmutableArray<TraefikMatcher>> Or()
        {
            var terms = And();
            while (Take("||"))
            {
                terms = Limit(terms.AddRange(And()));
            }

            return terms;
        }

        private ImmutableArray<ImmutableArray<TraefikMatcher>> And()
        {
            var terms = Unary();
            while (Take("&&"))
            {
                var right = Unary();
                terms = Limit([.. terms.SelectMany(l => right.Select(r => l.AddRange(r)))]);
            }

            return terms;
        }

        private ImmutableArray<ImmutableArray<TraefikMatcher>> Unary()
        {
            if (++depth > MaxDepth)
            {
                throw Fail($"nests deeper than {MaxDepth}");
            }

            try
            {
                if (Take("!"))
                {
                    return Not(Unary());
                }

                if (Take("("))
                {
                    var inner = Or();
                    if (!Take(")"))
                    {
                        throw Fail("expected ')'");
                    }

                    return inner;
                }

                return Matcher();
            }
            finally
            {
                depth--;
            }
        }

        // De Morgan: not (t1 or t2) is (not t1) and (not t2); not (m1 and m2) is (not m1) or (not m2).
        private ImmutableArray<ImmutableArray<TraefikMatcher>> Not(ImmutableArray<ImmutableArray<TraefikMatcher>> terms)
        {
            ImmutableArray<ImmutableArray<TraefikMatcher>> result = [[]];
            foreach (var term in terms)
            {
                var negated = term.Select(m => ImmutableArray.Create(m with { Negated = !m.Negated })).ToImmutableArray();
                result = Limit([.. result.SelectMany(l => negated.Select(r => l.AddRange(r)))]);
            }

            return result;
        }

        private ImmutableArray<ImmutableArray<TraefikMatcher>> Matcher()
        {
            SkipSpace();
            var start = position;
            while (position < text.Length && char.IsAsciiLetter(text[position]))
            {
                position++;
            }

            var name = text[start..position];
            if (name.Length == 0)
            {
                throw Fail(position < text.Length ? $"expected a matcher, found '{text[position]}'" : "expected a matcher");
            }

            if (!Matchers.Contains(name))
            {
                throw Fail($"unknown matcher {name}");
            }

            if (!Take("("))
            {
                throw Fail($"expected '(' after {name}");
            }

            var arguments = ImmutableArray.CreateBuilder<string>();
            do
            {
                arguments.Add(Quoted());
            }
            while (Take(","));

            if (!Take(")"))
            {
                throw Fail($"expected ')' closing {name}");
            }

            if (!Alternatives.Contains(name) || arguments.Count == 1)
            {
                return [[new TraefikMatcher(name, arguments.ToImmutable().ToEquatableArray(), false)]];
            }

            return Limit([.. arguments.Select(a => ImmutableArray.Create(new TraefikMatcher(name, new[] { a }.ToEquatableArray(), false)))]);
        }

        private string Quoted()
        {
            SkipSpace();
            if (position >= text.Length || text[position] is not ('`' or '"'))
            {
                throw Fail("expected a `quoted` argument");
            }

            var quote = text[position++];
            var value = new StringBuilder();
            while (position < text.Length && text[position] != quote)
            {
                // Go's interpreted strings ("...") take backslash escapes; raw strings (`...`) take none.
                if (quote == '"' && text[position] == '\\' && position + 1 < text.Length)
                {
                    position++;
                }

                value.Append(text[position++]);
            }

            if (position >= text.Length)
            {
                throw Fail("unterminated argument");
            }

            position++;
            return value.ToString();
        }

        private bool Take(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, position, token, 0, token.Length) != 0)
            {
                return false;
            }

            position += token.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        private static ImmutableArray<ImmutableArray<TraefikMatcher>> Limit(ImmutableArray<ImmutableArray<TraefikMatcher>> terms) =>
            terms.Length <= MaxTerms ? terms : throw new FormatException($"expands to more than {MaxTerms} alternatives");

        private FormatException Fail(string message) =>
            new(position < text.Length ? $"{message} at character {position + 1}" : $"{message} at the end");
    }
}
