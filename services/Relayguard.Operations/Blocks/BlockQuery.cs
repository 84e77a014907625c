namespace Relayguard.Operations.Blocks;

/// <summary>A filter and page position for <see cref="IBlockStore.List"/>. Null filters match everything.</summary>
public sealed record BlockQuery
{
    public string? Kind { get; init; }

    public string? Code { get; init; }

    /// <summary>
    /// A canonical subject, matched exactly. A plain account name (kind account, no <c>/</c>) also matches the
    /// blocks of that account on single addresses, such as <c>erin/100.64.0.7</c>.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>One of <see cref="BlockStates.Filters"/>.</summary>
    public string State { get; init; } = BlockStates.Active;

    public int Limit { get; init; } = PageCursor.DefaultLimit;

    /// <summary>A cursor from <see cref="Page{T}.Next"/> of a page with the same filters, checked with <see cref="IBlockStore.CheckCursor"/> beforehand.</summary>
    public string? After { get; init; }

    /// <summary>The filters that a page cursor is bound to. The limit is left out, so a client may change the page size.</summary>
    internal string Filters => $"{Kind}|{Code}|{State}|{Subject}";

    /// <summary>The prefix of the per-address subjects of a plain account name (<c>erin/</c>), or null when the filter has none.</summary>
    internal string? SubjectPrefix => BlockSubjects.PerAddressPrefix(Kind, Subject);
}
