using SwarmEdge.BenchTool.Sampling;

namespace SwarmEdge.BenchTool.Tests.Sampling;

public class ProcessTreeTests
{
    // 1 ─┬─ 10 ─┬─ 11 ── 13
    //    │      └─ 12
    //    └─ 20
    private static readonly Dictionary<int, int> ParentOf = new() { [1] = 0, [10] = 1, [11] = 10, [12] = 10, [13] = 11, [20] = 1 };

    [Fact]
    public void A_tree_holds_the_process_and_all_its_descendants_and_nothing_else()
    {
        Assert.Equal([10, 11, 12, 13], ProcessTree.Of(10, ParentOf).Order());
        Assert.Equal([20], ProcessTree.Of(20, ParentOf).Order());
    }

    [Fact]
    public void An_ended_process_has_no_tree()
    {
        Assert.Empty(ProcessTree.Of(99, ParentOf));
    }
}
