namespace Relayguard.Operations.Blocks;

/// <summary>A filter and page position for <see cref="IBlockStore.List"/>. Null filters match everything.</summary>
public sealed record BlockQuery
{
    public string? Kind { get; init; }

    public string? Code { get; init; }

    /// <summary>One of <see cref="BlockStates.Filters"/>.</summary>
    public string State { get; init; } = BlockStates.Active;

    public int Limit { get; init; } = PageCursor.DefaultLimit;

    /// <summary>A cursor from <see cref="Page{T}.Next"/>, checked with <see cref="IBlockStore.TryParseCursor"/> beforehand.</summary>
    public string? After { get; init; }
}
