namespace Relayguard.Contracts;

/// <summary>A request to the CA1 detector for an account's counts in its latest windows; the response is <see cref="Ca1Counts"/>.</summary>
public sealed record GetCa1Counts
{
    public required string Account { get; init; }

    /// <summary>How many windows, ending with the one that contains the current time. The detector returns at most 168.</summary>
    public required int Windows { get; init; }
}
