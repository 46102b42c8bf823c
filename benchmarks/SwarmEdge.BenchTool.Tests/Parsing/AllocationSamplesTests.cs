using SwarmEdge.BenchTool.Parsing;

namespace SwarmEdge.BenchTool.Tests.Parsing;

public class AllocationSamplesTests
{
    [Fact]
    public void The_bytes_allocated_are_the_sum_of_the_total_allocated_rates_and_no_other_counter()
    {
        // Three seconds of YARP alone under wrk: 8,498,672 (the run starting), 48,125,784 and 54,774,088 bytes.
        var bytes = AllocationSamples.AllocatedBytes(Fixture.Text("dotnet-counters/yarp-load.csv.txt"));

        Assert.Equal(8_498_672L + 48_125_784 + 54_774_088, bytes);
    }

    [Fact]
    public void A_file_without_the_counter_counts_nothing()
    {
        Assert.Equal(0, AllocationSamples.AllocatedBytes("Timestamp,Provider,Counter Name,Counter Type,Mean/Increment\n"));
    }

    [Fact]
    public void Types_are_ranked_by_their_sampled_bytes_and_given_their_share_of_the_counted_bytes_per_request()
    {
        var ticks = new[] { ("System.String", 300L), ("Attempt", 100L), ("System.String", 300L), ("HeaderEntry[]", 200L), ("Node", 100L) };

        var types = AllocationSamples.ByType(ticks, bytesPerRequest: 4000, top: 3);

        Assert.Equal(["System.String", "HeaderEntry[]", "Attempt"], types.Select(t => t.Type));
        Assert.Equal(0.6, types[0].Share, 9);
        Assert.Equal(2400, types[0].BytesPerRequest, 9);
        Assert.Equal(400, types[2].BytesPerRequest, 9);
        Assert.Equal(" 10.00 %     400 B  Attempt", types[2].ToLine());
    }

    [Fact]
    public void No_ticks_give_no_types()
    {
        Assert.Empty(AllocationSamples.ByType([], 4000, 10));
    }
}
