// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A token that will not always pay: it refuses transfers to a blocklisted address (as
/// USDC's blacklist does), and moves at most `maxMove` per transfer, reporting success.
contract UnrulyToken is ERC20 {
    error Blocklisted(address account);

    mapping(address account => bool) public blocked;
    uint256 public maxMove = type(uint256).max;

    constructor() ERC20("Unruly", "UNR") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function setMaxMove(uint256 amount) external {
        maxMove = amount;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert Blocklisted(to);
        if (from != address(0) && to != address(0) && value > maxMove) value = maxMove;
        super._update(from, to, value);
    }
}
