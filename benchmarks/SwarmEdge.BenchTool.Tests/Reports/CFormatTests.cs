using System.Diagnostics;
using System.Globalization;
using SwarmEdge.BenchTool.Reports;
using SwarmEdge.BenchTool.Tests.Sampling;

namespace SwarmEdge.BenchTool.Tests.Reports;

[Collection(LiveProcesses.Name)]
public class CFormatTests
{
    // Ties (1234.5, 1234.25, 0.125 are exact in binary), values just off a tie, and the kinds of number the reports hold.
    private static readonly (double Value, int Decimals)[] Cases =
    [
        (1234.5, 0), (1235.5, 0), (0.5, 0), (1.5, 0), (1234.25, 1), (1234.75, 1), (0.125, 2), (0.375, 2), (2.675, 2),
        (26571.55, 0), (26571.55, 2), (2.27, 3), (664.46, 3), (1250, 3), (0.2665, 2), (133.70019531, 1), (103.5, 1),
        (27.9, 1), (-0.01, 1), (-2.5, 0), (0, 2), (1e-7, 3), (123456789.125, 2), (9.995, 2), (99689.66, 2),
    ];

    [Fact]
    public void Numbers_are_written_as_awks_printf_writes_them()
    {
        var program = string.Concat(Cases.Select(c => string.Create(CultureInfo.InvariantCulture, $"printf \"%.{c.Decimals}f\\n\", {c.Value:R}; ")));
        using var awk = Process.Start(new ProcessStartInfo("awk", [$"BEGIN {{ {program} }}"]) { RedirectStandardOutput = true })!;
        var expected = awk.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        awk.WaitForExit();

        Assert.Equal(expected, Cases.Select(c => CFormat.Fixed(c.Value, c.Decimals)).ToArray());
    }

    [Theory]
    [InlineData(1234.5, 0, "1234")]
    [InlineData(1234.25, 1, "1234.2")]
    [InlineData(1234.75, 1, "1234.8")]
    [InlineData(0.125, 2, "0.12")]
    [InlineData(-0.01, 1, "-0.0")]
    public void An_exact_tie_rounds_to_the_even_digit(double value, int decimals, string text)
    {
        Assert.Equal(text, CFormat.Fixed(value, decimals));
    }
}
