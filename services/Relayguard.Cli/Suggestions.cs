using Relayguard.ServiceDefaults;

namespace Relayguard.Cli;

/// <summary>Finds the known name nearest to a mistyped one, for "did you mean" hints on commands, actions and options.</summary>
internal static class Suggestions
{
    /// <summary>The most edits a typed name may be from a known one for the hint to name it.</summary>
    private const int MaxDistance = 2;

    /// <summary>Returns the name of <paramref name="known"/> within two edits of <paramref name="typed"/> (the nearest, then the first in order), or null.</summary>
    public static string? Nearest(string typed, IEnumerable<string> known) =>
        known
            .Select(name => (Name: name, Distance: EditDistance.Between(name, typed.ToLowerInvariant())))
            .Where(candidate => candidate.Distance <= MaxDistance)
            .OrderBy(candidate => candidate.Distance)
            .ThenBy(candidate => candidate.Name, StringComparer.Ordinal)
            .Select(candidate => candidate.Name)
            .FirstOrDefault();

    /// <summary>Builds the usage error of an unknown command, with a hint when one is near.</summary>
    public static UsageException UnknownCommand(string verb) =>
        new(Nearest(verb, CliApp.Commands) is { } nearest
            ? $"Unknown command '{verb}'; did you mean '{nearest}'?"
            : $"Unknown command '{verb}'.");

    /// <summary>Builds the usage error of an unknown action of <paramref name="command"/>, with a hint when one is near.</summary>
    public static UsageException UnknownAction(string command, string action, IReadOnlyList<string> actions, string usage) =>
        new(Nearest(action, actions) is { } nearest
            ? $"Unknown action '{command} {action}'; did you mean '{command} {nearest}'?\n{usage}"
            : $"Unknown action '{command} {action}'.\n{usage}");
}
