import type { PartProps } from "../Energy";
export default function Savings(_: PartProps) { return null; }
