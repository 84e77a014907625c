namespace Relayguard.Bounces;
internal static class AssemblyMarker;
