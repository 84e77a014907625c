namespace Relayguard.Detectors.Rl1;

/// <summary>The limits that apply to one subject; 0 turns a limit off.</summary>
public sealed record Rl1Limits(int Messages, int Recipients)
{
    public bool IsOff => Messages <= 0 && Recipients <= 0;

    /// <summary>True when this many messages or recipients within the hour reach a limit that is on.</summary>
    public bool AreReachedBy(int messages, long recipients) =>
        (Messages > 0 && messages >= Messages) || (Recipients > 0 && recipients >= Recipients);
}
