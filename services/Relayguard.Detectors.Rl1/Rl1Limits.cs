namespace Relayguard.Detectors.Rl1;

/// <summary>The limits that apply to one subject; 0 turns a limit off.</summary>
public sealed record Rl1Limits(int Messages, int Recipients)
{
    public bool IsOff => Messages <= 0 && Recipients <= 0;
}
