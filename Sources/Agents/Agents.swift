// Agents module
