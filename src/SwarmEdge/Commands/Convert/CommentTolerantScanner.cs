using YamlDotNet.Core;
using Tokens = YamlDotNet.Core.Tokens;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// Works around YamlDotNet's parser when it keeps comments: a comment right after a flow collection, on the
/// same line ("ports: ["80:80"]  # web") or on the lines after it, makes it fail with "did not find expected
/// key". This scanner holds such comments back from the parser and remembers them by the number of the flow
/// collection they follow, so the reader can put them back after that collection's end event, where the parser
/// would have put them. Comments inside a flow collection are held back too and reported as lost: YamlDotNet's
/// emitter writes no comments in flow style.
/// </summary>
internal sealed class CommentTolerantScanner(IScanner inner) : IScanner
{
    private int _flowLevel;
    private int _flowEnds;
    private Tokens.Token? _previous;

    /// <summary>Comments right after a flow collection, by the ordinal (1-based) of that collection's end.</summary>
    public Dictionary<int, List<Tokens.Comment>> AfterFlowEnd { get; } = [];

    /// <summary>Comments inside flow collections, which cannot be written back.</summary>
    public List<Tokens.Comment> InsideFlow { get; } = [];

    public Mark CurrentPosition => inner.CurrentPosition;

    public Tokens.Token? Current => inner.Current;

    public bool MoveNext()
    {
        var more = MoveNextWithoutConsuming();
        if (more)
        {
            ConsumeCurrent();
        }

        return more;
    }

    public bool MoveNextWithoutConsuming()
    {
        while (inner.MoveNextWithoutConsuming())
        {
            var token = inner.Current;
            if (token is Tokens.Comment comment)
            {
                if (_flowLevel > 0)
                {
                    InsideFlow.Add(comment);
                    inner.ConsumeCurrent();
                    continue;
                }

                if (_previous is Tokens.FlowSequenceEnd or Tokens.FlowMappingEnd)
                {
                    if (!AfterFlowEnd.TryGetValue(_flowEnds, out var held))
                    {
                        AfterFlowEnd[_flowEnds] = held = [];
                    }

                    held.Add(comment);
                    inner.ConsumeCurrent();
                    continue;
                }

                return true;
            }

            switch (token)
            {
                case Tokens.FlowSequenceStart or Tokens.FlowMappingStart:
                    _flowLevel++;
                    break;
                case Tokens.FlowSequenceEnd or Tokens.FlowMappingEnd:
                    _flowLevel--;
                    _flowEnds++;
                    break;
            }

            _previous = token;
            return true;
        }

        return false;
    }

    public void ConsumeCurrent() => inner.ConsumeCurrent();
}
