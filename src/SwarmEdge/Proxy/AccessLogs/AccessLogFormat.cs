using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SwarmEdge.Proxy.AccessLogs;

/// <summary>
/// A line as bytes: JSON, or Apache's common / combined formats (combined with the route, the task and the duration
/// appended, as Traefik's CLF does). Written into a buffer each thread reuses: the line's bytes are the request's only
/// allocation here.
/// </summary>
internal static class AccessLogFormat
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    public static byte[] Json(in AccessLogLine line)
    {
        var buffer = Buffer();
        var json = t_json ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString("time", line.Time);
        Span<char> address = stackalloc char[45];
        json.WriteString("client", line.Client is { } client && client.TryFormat(address, out var n) ? address[..n] : "");
        json.WriteString("method", line.Method);
        json.WriteString("host", line.Host);
        json.WriteString("path", line.Path);
        json.WriteString("query", line.Query);
        json.WriteString("protocol", line.Protocol);
        json.WriteNumber("status", line.Status);
        if (line.Bytes is { } bytes)
        {
            json.WriteNumber("bytes", bytes);
        }
        else
        {
            json.WriteNull("bytes");
        }

        json.WriteNumber("duration_ms", Math.Round(line.Duration.TotalMilliseconds, 3));
        json.WriteNumber("upstream_ms", Math.Round(line.Upstream.TotalMilliseconds, 3));
        json.WriteString("route", line.Route);
        json.WriteString("service", line.Service);
        json.WriteString("task", line.Task);
        json.WriteNumber("retries", line.Retries);
        json.WriteString("user_agent", line.UserAgent);
        json.WriteString("referer", line.Referer);
        json.WriteEndObject();
        json.Flush();
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Text(in AccessLogLine line, bool combined)
    {
        var buffer = Buffer();
        Span<char> scratch = stackalloc char[64];
        Chars(buffer, line.Client is { } client && client.TryFormat(scratch, out var n) ? scratch[..n] : "-");
        Chars(buffer, " - - [");
        line.Time.UtcDateTime.TryFormat(scratch, out n, "dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        Chars(buffer, scratch[..n]);
        Chars(buffer, "] \"");
        Quoted(buffer, line.Method);
        Chars(buffer, " ");
        Quoted(buffer, line.Path);
        Quoted(buffer, line.Query);
        Chars(buffer, " ");
        Chars(buffer, line.Protocol);
        Chars(buffer, "\" ");
        Number(buffer, line.Status);
        Chars(buffer, " ");
        if (line.Bytes is { } bytes)
        {
            Number(buffer, bytes);
        }
        else
        {
            Chars(buffer, "-");
        }

        if (combined)
        {
            Chars(buffer, " \"");
            Quoted(buffer, line.Referer ?? "-");
            Chars(buffer, "\" \"");
            Quoted(buffer, line.UserAgent ?? "-");
            Chars(buffer, "\" \"");
            Quoted(buffer, line.Route ?? "-");
            Chars(buffer, "\" \"");
            Quoted(buffer, line.Task ?? "-");
            Chars(buffer, "\" ");
            Number(buffer, (long)Math.Round(line.Duration.TotalMilliseconds));
            Chars(buffer, "ms");
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static ArrayBufferWriter<byte> Buffer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static void Chars(ArrayBufferWriter<byte> buffer, ReadOnlySpan<char> text) => Encoding.UTF8.GetBytes(text, buffer);

    /// <summary>A client's text inside quotes: quotes, backslashes and control characters escaped, so a line stays one line.</summary>
    private static void Quoted(ArrayBufferWriter<byte> buffer, string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\\' || char.IsControl(c))
            {
                Chars(buffer, text.AsSpan(start, i - start));
                if (c is '"' or '\\')
                {
                    Chars(buffer, ['\\', c]);
                }
                else
                {
                    Chars(buffer, $"\\x{(int)c:x2}");
                }

                start = i + 1;
            }
        }

        Chars(buffer, text.AsSpan(start));
    }

    private static void Number(ArrayBufferWriter<byte> buffer, long value)
    {
        value.TryFormat(buffer.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        buffer.Advance(written);
    }
}
