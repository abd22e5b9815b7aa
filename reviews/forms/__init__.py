"""Forms: conversion and validation only; services do the writing. One module per page or
concern (intake, review, decisions, cases, audit, account) and the widgets they share."""
