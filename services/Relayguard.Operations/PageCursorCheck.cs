namespace Relayguard.Operations;

/// <summary>The outcome of decoding a page cursor with <see cref="PageCursor.TryDecode"/>.</summary>
public enum PageCursorCheck
{
    Valid,

    /// <summary>Not a cursor of this list: damaged, made by another list, or by an older version.</summary>
    Invalid,

    /// <summary>A cursor of this list, made for a page with other filters.</summary>
    OtherFilters,
}
