using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SwarmEdge.Commands.Convert;

/// <summary>
/// A tree of <see cref="YamlNode"/> back to text through YamlDotNet's emitter, with the file's indentation.
/// What the emitter normalises (and so does not survive a round trip exactly): comments are written "# text"
/// (a comment without the space after "#" gets one), comments inside flow collections are dropped, a comment
/// above the first item of an indented block sequence is written at the key's indentation, trailing spaces and
/// CRLF line ends become LF, a folded scalar (">") is written on one line (same value), and the file's own indentation is used for every level (a file that mixes two
/// and four spaces comes out with the first it uses). Quoting, flow and block style, key order, anchors and
/// aliases, tags and blank lines are kept.
/// </summary>
internal static class YamlTreeWriter
{
    public static string Write(YamlFile file)
    {
        var text = new StringWriter { NewLine = "\n" };
        // No line width: the emitter would otherwise fold long plain scalars onto several lines.
        var settings = new EmitterSettings(file.Indent, int.MaxValue, false, 1024, false, file.IndentedSequences, "\n", false);
        var emitter = new Emitter(text, settings);
        emitter.Emit(new StreamStart());
        foreach (var document in file.Documents)
        {
            emitter.Emit(document.Start);
            Emit(emitter, document.Leading);
            if (document.Root is not null)
            {
                Emit(emitter, document.Root);
            }

            Emit(emitter, document.Trailing);
            emitter.Emit(document.End);
        }

        emitter.Emit(new StreamEnd());
        return RestoreBlankLines(text.ToString());
    }

    private static void Emit(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlScalar scalar:
                emitter.Emit(scalar.Event);
                break;
            case YamlAlias alias:
                emitter.Emit(alias.Event);
                break;
            case YamlMapping mapping:
                emitter.Emit(mapping.Start);
                foreach (var entry in mapping.Entries)
                {
                    Emit(emitter, entry.Leading);
                    Emit(emitter, entry.Key);
                    Emit(emitter, entry.Between);
                    Emit(emitter, entry.Value);
                    Emit(emitter, entry.Inline);
                }

                Emit(emitter, mapping.Trailing);
                emitter.Emit(mapping.End);
                break;
            case YamlSequence sequence:
                emitter.Emit(sequence.Start);
                foreach (var item in sequence.Items)
                {
                    Emit(emitter, item.Leading);
                    Emit(emitter, item.Value);
                    Emit(emitter, item.Inline);
                }

                Emit(emitter, sequence.Trailing);
                emitter.Emit(sequence.End);
                break;
        }
    }

    private static void Emit(IEmitter emitter, List<Comment> comments)
    {
        foreach (var comment in comments)
        {
            emitter.Emit(comment);
        }
    }

    /// <summary>
    /// The emitter has no blank-line event, so the reader keeps each blank line as a comment whose text is a NUL
    /// character, which no real comment can contain; the emitter writes it as "# \0" on a line of its own, and
    /// this turns those lines back into blank lines. Likewise it erases the reader's marker for an empty value.
    /// These are the only steps that work on the text, and they touch only the markers.
    /// </summary>
    private static string RestoreBlankLines(string text)
    {
        var marker = "# " + YamlTreeReader.BlankLine;
        var result = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            if (result.Length > 0)
            {
                result.Append('\n');
            }

            if (line.Trim() != marker)
            {
                var restored = line.EndsWith(" " + YamlTreeReader.NullValue, StringComparison.Ordinal) ? line[..^2] : line;
                result.Append(restored.Replace(YamlTreeReader.NullValue, "", StringComparison.Ordinal));
            }
        }

        return result.ToString();
    }
}
