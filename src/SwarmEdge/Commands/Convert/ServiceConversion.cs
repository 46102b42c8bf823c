namespace SwarmEdge.Commands.Convert;

/// <summary>What happened to one service of the stack file.</summary>
internal sealed record ServiceConversion(string Service, bool Converted, string Detail);
