namespace Relayguard.Gateway;
internal static class AssemblyMarker;
